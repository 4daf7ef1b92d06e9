// Loading a region's configuration from protobuf text format (config/*.textproto) into a
// domain::Config, with every problem reported as "FILE:LINE: message" (line 1-based).
//
// Syntax errors (including unknown fields and enum values) come from the protobuf text parser;
// semantic problems come from domain::CheckConfig, whose field paths are mapped back to lines
// through the parser's location tree. Also the workflow's deterministic wire bytes, used to
// version workflow definitions (a running case keeps the definition it started under).
// Stateless free functions: thread-safe.
#pragma once

#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/config.h"

namespace tillvaxt::codec {

// Reads and checks `path`. Every problem found is appended to `problems` (may be null) as
// "FILE:LINE: message". Errors: NOT_FOUND when the file does not exist, INVALID_ARGUMENT when
// it cannot be read or has any problem (message: the first problem and the count).
base::Result<domain::Config> LoadConfigFile(const std::string& path,
                                            std::vector<std::string>* problems);

// As LoadConfigFile, for text already in memory; `display_name` stands for FILE in messages.
base::Result<domain::Config> LoadConfigText(const std::string& text,
                                            const std::string& display_name,
                                            std::vector<std::string>* problems);

// The workflow part of `config` (version excluded) as deterministic protobuf bytes
// (tillvaxt.config.v1.Workflow): equal workflows give equal bytes.
std::string SerializeWorkflow(const domain::Config& config);
std::string SerializeWorkflow(const domain::Workflow& workflow);

// Bytes from SerializeWorkflow back into a Workflow (version left 0). INVALID_ARGUMENT when
// they do not parse.
base::Result<domain::Workflow> ParseWorkflow(const std::string& bytes);

}  // namespace tillvaxt::codec
