#ifndef LENDING_CHIREDIS_SHIM_H
#define LENDING_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>

#endif
