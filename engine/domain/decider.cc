#include "engine/domain/decider.h"
