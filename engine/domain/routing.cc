#include "engine/domain/routing.h"
