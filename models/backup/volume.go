package backup

import (
	"math/rand/v2"
	"time"

	"dbsim/sim"
)

// maxBlocks bounds a volume's block map (512 KiB of bits): a larger volume
// is tracked in coarser blocks.
const maxBlocks = 1 << 22

// Volume is a volume restored from a snapshot and loaded lazily: a block
// is fetched from S3 the first time a request touches it, while a
// background loader walks the volume at HydrateRate. A key's row lies in
// the block its hash picks: a table's rows are not stored in the order of
// their popularity, so the hot keys are spread over the volume and the
// hydrated share of the requests grows with the distinct keys touched.
type Volume struct {
	k       *sim.Kernel
	rng     *rand.Rand
	fetch   sim.Dist
	blocks  uint64
	block   int64 // bytes per tracked block
	loaded  []uint64
	nLoaded uint64
	// pending maps a block being fetched to the fetch's end, so that a
	// second request for it waits for the same fetch; it holds at most
	// one entry per request in flight.
	pending map[uint64]sim.Time
	cursor  uint64 // the background loader's next block
	perTick uint64 // blocks the background loader loads per second
	done    func() // called once when every block is loaded
	onLoad  func(any)
}

// NewVolume returns a volume of size bytes, restored now with nothing
// loaded, whose fetches draw from rng. done, if not nil, is called when
// the whole volume is loaded.
func NewVolume(k *sim.Kernel, rng *rand.Rand, cfg Config, size int64, done func()) *Volume {
	block := cfg.BlockSize
	for size/block > maxBlocks {
		block *= 2
	}
	n := uint64(max(1, (size+block-1)/block))
	v := &Volume{k: k, rng: rng, fetch: cfg.Fetch, blocks: n, block: block,
		loaded: make([]uint64, (n+63)/64), pending: map[uint64]sim.Time{}, done: done}
	v.onLoad = func(a any) { v.load(a.(uint64)) }
	if cfg.HydrateRate > 0 {
		v.perTick = max(1, uint64(cfg.HydrateRate/float64(block)))
		k.After(time.Second, v.tick)
	}
	return v
}

// Blocks is the number of tracked blocks and BlockSize their size.
func (v *Volume) Blocks() uint64 { return v.blocks }

// BlockSize is the size of a tracked block, in bytes.
func (v *Volume) BlockSize() int64 { return v.block }

// Hydrated is the share of the volume's blocks loaded.
func (v *Volume) Hydrated() float64 { return float64(v.nLoaded) / float64(v.blocks) }

// BlockOf is the block holding key's row.
func (v *Volume) BlockOf(key uint64) uint64 { return mix(key) % v.blocks }

// Touch is a request reading or writing key's row: it returns how long the
// request waits for the row's block (0 when loaded), starting its fetch if
// none is under way.
func (v *Volume) Touch(key uint64) time.Duration {
	b := v.BlockOf(key)
	if v.has(b) {
		return 0
	}
	now := v.k.Now()
	if end, ok := v.pending[b]; ok {
		return end.Sub(now)
	}
	d := sim.Seconds(v.fetch.Sample(v.rng))
	v.pending[b] = now + sim.Time(d)
	v.k.AfterArg(d, v.onLoad, b)
	return d
}

func (v *Volume) has(b uint64) bool { return v.loaded[b/64]&(1<<(b%64)) != 0 }

// load marks block b loaded.
func (v *Volume) load(b uint64) {
	delete(v.pending, b)
	if v.has(b) {
		return
	}
	v.loaded[b/64] |= 1 << (b % 64)
	v.nLoaded++
	if v.nLoaded == v.blocks && v.done != nil {
		v.done()
		v.done = nil
	}
}

// tick is one second of background loading.
func (v *Volume) tick() {
	for n := v.perTick; n > 0 && v.cursor < v.blocks; v.cursor++ {
		if !v.has(v.cursor) {
			v.load(v.cursor)
			n--
		}
	}
	if v.nLoaded < v.blocks {
		v.k.After(time.Second, v.tick)
	}
}

// mix scatters keys over the blocks (SplitMix64's finalizer).
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
