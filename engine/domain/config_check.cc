#include "engine/domain/config_check.h"
