#include "engine/domain/org_number.h"
