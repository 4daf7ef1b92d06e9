#include "engine/codec/workflow_drawing.h"

#include <catch2/catch.hpp>
