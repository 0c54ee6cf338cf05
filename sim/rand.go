package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Stream returns a random source derived from the kernel's seed and name.
// Each named stream is independent of every other, so adding a component
// (and a stream) never changes the numbers another component draws; two
// models fed by the same "arrivals" stream see the same arrivals (common
// random numbers). Calling Stream twice with one name gives two sources that
// produce the same sequence; callers keep the one they got.
func (k *Kernel) Stream(name string) *rand.Rand { return NewStream(k.seed, name) }

// NewStream returns the random source for (seed, name), as Kernel.Stream does.
func NewStream(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	n := h.Sum64()
	return rand.New(rand.NewPCG(splitmix(seed^0x9e3779b97f4a7c15), splitmix(n+seed)))
}

// splitmix scrambles a 64-bit value (SplitMix64's finaliser), so that nearby
// seeds give unrelated streams.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
