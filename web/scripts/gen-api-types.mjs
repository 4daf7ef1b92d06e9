#!/usr/bin/env node
// Generates the TypeScript types of the /v1 API from the protobuf messages the server speaks
// (proto/tillvaxt/api/v1/*.proto), in protobuf's canonical JSON mapping:
//   - field names are the JSON names (lowerCamelCase, or an explicit json_name);
//   - 64-bit integers are strings, other numbers are numbers, bool is boolean, bytes a base64 string;
//   - enums are the union of their value names;
//   - google.protobuf.Timestamp and Duration are strings (RFC 3339, "3600s");
//   - repeated fields are arrays, maps are objects keyed by string;
//   - every field is optional: a proto3 JSON writer may omit fields holding their default.
// Writes src/gen/api.ts (not committed; `npm run build` runs this first, see README.md).
// Usage: node scripts/gen-api-types.mjs [--check]   (PROTO_DIR overrides the proto root)
import protobuf from 'protobufjs';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const protoRoot = path.resolve(process.env.PROTO_DIR || path.join(here, '../../proto'));
const apiDir = path.join(protoRoot, 'tillvaxt/api/v1');
const outFile = path.resolve(here, '../src/gen/api.ts');
const PACKAGE = 'tillvaxt.api.v1';

const files = fs.readdirSync(apiDir).filter((f) => f.endsWith('.proto')).sort().map((f) => path.join(apiDir, f));
if (!files.length) throw new Error(`no .proto files in ${apiDir}`);

const root = new protobuf.Root();
// Imports are written relative to the proto root ("tillvaxt/api/v1/cases.proto"); the
// google/protobuf ones are bundled with protobufjs.
root.resolvePath = (origin, target) => {
  if (target.startsWith('google/protobuf/')) return target;
  if (path.isAbsolute(target)) return target;
  const fromRoot = path.join(protoRoot, target);
  return fs.existsSync(fromRoot) ? fromRoot : path.resolve(path.dirname(origin), target);
};
root.loadSync(files, { keepCase: true, alternateCommentMode: true });
root.resolveAll();

const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const NUMBER = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'double', 'float']);
// Well-known types with a special JSON form.
const WELL_KNOWN = {
  '.google.protobuf.Timestamp': 'string',
  '.google.protobuf.Duration': 'string',
  '.google.protobuf.FieldMask': 'string',
  '.google.protobuf.Struct': '{ [key: string]: unknown }',
  '.google.protobuf.Value': 'unknown',
  '.google.protobuf.ListValue': 'unknown[]',
  '.google.protobuf.Any': '{ \'@type\': string; [key: string]: unknown }',
  '.google.protobuf.Empty': 'Record<string, never>',
  '.google.protobuf.StringValue': 'string | null',
  '.google.protobuf.BytesValue': 'string | null',
  '.google.protobuf.BoolValue': 'boolean | null',
  '.google.protobuf.Int32Value': 'number | null',
  '.google.protobuf.UInt32Value': 'number | null',
  '.google.protobuf.FloatValue': 'number | null',
  '.google.protobuf.DoubleValue': 'number | null',
  '.google.protobuf.Int64Value': 'string | null',
  '.google.protobuf.UInt64Value': 'string | null',
};

/** protobuf's default JSON name: underscores dropped, the letter after each upper-cased. */
function jsonName(field) {
  const explicit = field.options && field.options.json_name;
  if (explicit) return explicit;
  let out = '';
  let upper = false;
  for (const ch of field.name) {
    if (ch === '_') { upper = true; continue; }
    out += upper ? ch.toUpperCase() : ch;
    upper = false;
  }
  return out;
}

/** TypeScript name of a message or enum of this package: nested names joined with "_". */
function tsName(type) {
  const full = type.fullName.replace(/^\./, '');
  if (!full.startsWith(`${PACKAGE}.`)) throw new Error(`type ${full} is outside ${PACKAGE} and has no JSON mapping here`);
  return full.slice(PACKAGE.length + 1).replace(/\./g, '_');
}

function scalarType(name) {
  if (INT64.has(name)) return 'string';
  if (NUMBER.has(name)) return 'number';
  if (name === 'bool') return 'boolean';
  if (name === 'string' || name === 'bytes') return 'string';
  return null;
}

function valueType(field, typeName) {
  const scalar = scalarType(typeName);
  if (scalar) return scalar;
  const resolved = field.resolvedType;
  if (!resolved) throw new Error(`unresolved type ${typeName} of ${field.fullName}`);
  if (WELL_KNOWN[resolved.fullName]) return WELL_KNOWN[resolved.fullName];
  return tsName(resolved);
}

function fieldType(field) {
  if (field.map) {
    // JSON map keys are always strings; the value type is the field's type.
    return `Record<string, ${valueType(field, field.type)}>`;
  }
  const t = valueType(field, field.type);
  return field.repeated ? (/[ |]/.test(t) ? `(${t})[]` : `${t}[]`) : t;
}

function doc(comment, indent) {
  if (!comment) return '';
  const lines = comment.split('\n').map((l) => l.trim().replace(/\*\//g, '*\\/'));
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`).join('\n')}\n${indent} */\n`;
}

const out = [];
const seen = new Map();
function emit(ns) {
  for (const obj of ns.nestedArray) {
    if (obj instanceof protobuf.Type) {
      const name = tsName(obj);
      if (seen.has(name)) throw new Error(`two types map to ${name}: ${seen.get(name)} and ${obj.fullName}`);
      seen.set(name, obj.fullName);
      let s = doc(obj.comment, '');
      s += `export interface ${name} {\n`;
      for (const f of obj.fieldsArray) {
        f.resolve();
        s += doc(f.comment, '  ');
        s += `  ${jsonName(f)}?: ${fieldType(f)};\n`;
      }
      s += '}\n';
      out.push(s);
      emit(obj);
    } else if (obj instanceof protobuf.Enum) {
      const name = tsName(obj);
      seen.set(name, obj.fullName);
      const values = Object.keys(obj.values).map((v) => `'${v}'`);
      out.push(`${doc(obj.comment, '')}export type ${name} = ${values.join(' | ') || 'never'};\n`);
    } else if (obj instanceof protobuf.Namespace) {
      emit(obj);
    }
  }
}
const pkg = root.lookup(PACKAGE);
if (!pkg) throw new Error(`package ${PACKAGE} not found in ${apiDir}`);
emit(pkg);

const rel = (p) => path.relative(path.resolve(here, '../..'), p);
const text = `// GENERATED by web/scripts/gen-api-types.mjs from ${files.map(rel).join(', ')}.\n`
  + '// Do not edit: change the .proto files and run `npm run gen:types` (npm run build does).\n'
  + '// Protobuf canonical JSON: lowerCamelCase names, 64-bit integers and Timestamp/Duration as\n'
  + '// strings, enums by name, every field optional.\n\n'
  + out.join('\n');

if (process.argv.includes('--check')) {
  const old = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : '';
  if (old !== text) { console.error(`${rel(outFile)} is stale: run npm run gen:types`); process.exit(1); }
} else {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const old = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : '';
  // Unchanged output is not rewritten, so watchers (vite dev) do not reload for nothing.
  if (old !== text) fs.writeFileSync(outFile, text);
  console.log(`${rel(outFile)}: ${seen.size} types from ${files.length} files`);
}
