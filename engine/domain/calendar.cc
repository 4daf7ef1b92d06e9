#include "engine/domain/calendar.h"
