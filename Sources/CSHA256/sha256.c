// SHA-256's compression function with the x86-64 SHA extensions (SHA-NI): `sha256rnds2` does two
// rounds, `sha256msg1` and `sha256msg2` the message schedule's σ0 and σ1 four words at a time.
// About five times the speed of the same function in Swift on the course's machines: the run
// fingerprints hash every training set they use (188 MB for MNIST's), once per process.
//
// The state lives in two registers in the order the instruction wants, ABEF and CDGH; each group
// of four rounds adds four words of the schedule W and four round constants K. The schedule's next
// group is W[t..t+3] = msg2(msg1(W[t−16..], W[t−12..]) + W[t−7..t−4], W[t−4..t−1]), the
// recurrence W[t] = σ1(W[t−2]) + W[t−7] + σ0(W[t−15]) + W[t−16] four words at a time.
// `SHA256Tests` checks it against the Swift function (the reference) and FIPS 180-4's vectors.
#include "CSHA256.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

int csha256_available(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int sha = (b >> 29) & 1;
    return ssse3 && sse41 && sha;
}


__attribute__((target("sha,ssse3,sse4.1")))
void csha256_compress(uint32_t state[8], const uint8_t *data, size_t blocks, const uint32_t K[64]) {
    // Each 32-bit word of the block is big-endian: this shuffle reverses its bytes.
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xB1); // C D A B
    __m128i state1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1B); // E F G H
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);     // A B E F
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);           // C D G H

    for (size_t block = 0; block < blocks; block++, data += 64) {
        const __m128i abef = state0, cdgh = state1;
        __m128i w[4];
        for (int i = 0; i < 4; i++) w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), swap);
        for (int g = 0; g < 16; g++) {
            __m128i message = _mm_add_epi32(w[g & 3], _mm_loadu_si128((const __m128i *)&K[4 * g]));
            state1 = _mm_sha256rnds2_epu32(state1, state0, message);
            state0 = _mm_sha256rnds2_epu32(state0, state1, _mm_shuffle_epi32(message, 0x0E));
            if (g < 12) {   // the group four ahead replaces this one: W[4(g+4) ..< 4(g+5)]
                __m128i next = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
                next = _mm_add_epi32(next, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
                w[g & 3] = _mm_sha256msg2_epu32(next, w[(g + 3) & 3]);
            }
        }
        state0 = _mm_add_epi32(state0, abef);
        state1 = _mm_add_epi32(state1, cdgh);
    }

    tmp = _mm_shuffle_epi32(state0, 0x1B);                 // F E B A
    state1 = _mm_shuffle_epi32(state1, 0xB1);              // D C H G
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);           // D C B A
    state1 = _mm_alignr_epi8(state1, tmp, 8);              // H G F E
    _mm_storeu_si128((__m128i *)&state[0], state0);
    _mm_storeu_si128((__m128i *)&state[4], state1);
}

#else

int csha256_available(void) { return 0; }
void csha256_compress(uint32_t state[8], const uint8_t *data, size_t blocks, const uint32_t K[64]) {
    (void)state; (void)data; (void)blocks; (void)K;
}

#endif
