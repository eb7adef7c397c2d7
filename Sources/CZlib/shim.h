// zlib, from the system (Debian: zlib1g-dev).
#include <zlib.h>
