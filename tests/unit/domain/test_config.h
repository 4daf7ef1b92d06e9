// A small, stable Sörmland configuration built in C++ for tests: the Team Tillväxt workflow of
// docs/WORKFLOW.md, the four nodes, the seven needs, the Sörmland and ÖMS areas and thirteen
// actors over the four levels. Tests of every module may rely on the facts listed below; add
// to this configuration only in ways that keep them true.
//
// Routing facts (weights need 2, area 1, node 0.5; LOCAL actors each serve one node):
// - LOCAL: esk-business (eskilstuna; business-development, growth, recruitment),
//   nyk-naringsliv (nykoping; business-development, competence), str-foretag (strangnas;
//   growth, business-development), kat-industri (katrineholm; recruitment, competence).
// - REGIONAL: almi (financing, business-development; every area), mdu (innovation, competence;
//   advanced-manufacturing, digital-services), automation-region (innovation, growth;
//   smart-industry, advanced-manufacturing; capacity 5), handelskammaren (business-development,
//   recruitment; nodes nykoping and katrineholm).
// - NATIONAL: rise (innovation, competence; smart-industry, energy, life-science),
//   business-sweden (internationalisation), energimyndigheten (financing, innovation; energy).
// - INTERNATIONAL: een (internationalisation, financing, innovation), eit-manufacturing
//   (innovation; advanced-manufacturing).
// - Nobody serves competence in bio-based at strangnas: such a case climbs to UNMATCHED.
// - internationalisation has no LOCAL or REGIONAL actor: it climbs to NATIONAL.
//
// Thread-safety: returns a fresh value each call.
#pragma once

#include "engine/domain/config.h"

namespace tillvaxt::testing {

domain::Config MakeTestConfig();

}  // namespace tillvaxt::testing
