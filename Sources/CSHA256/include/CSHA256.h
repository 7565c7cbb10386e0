#ifndef CSHA256_H
#define CSHA256_H

#include <stddef.h>
#include <stdint.h>

/// Whether this processor can run `csha256_compress`: an x86-64 with the SHA extensions (and
/// SSSE3 and SSE4.1, which every such processor has). 0 elsewhere, where the library hashes in
/// Swift (`SHA256.compressInSwift`).
int csha256_available(void);

/// SHA-256's compression function (FIPS 180-4, 6.2.2) over `blocks` consecutive 64-byte blocks at
/// `data`, updating the eight words of `state` (a, b, …, h) in place, with the processor's SHA
/// instructions; `K` is the 64 round constants (the Swift side's table, so that there is one).
/// Call only where `csha256_available()` says so.
void csha256_compress(uint32_t state[8], const uint8_t *data, size_t blocks, const uint32_t K[64]);

#endif
