// libjpeg (libjpeg-turbo), from the system (Debian: libjpeg-dev).
#include <stdio.h>
#include <jpeglib.h>
