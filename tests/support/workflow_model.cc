#include "tests/support/workflow_model.h"
