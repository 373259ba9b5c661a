// libsodium: random bytes, guarded key memory, zeroing and constant-time comparison.
#ifndef ENVELOPEKIT_SODIUM_SHIM_H
#define ENVELOPEKIT_SODIUM_SHIM_H
#include <sodium.h>
#endif
