package dynamodb

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

// TestPartitionLayout pins the cache lines a request touches in a
// partition (see partition): an eventually consistent read's fields
// within the first three 64-byte lines, a write's within the second to
// the fifth, so that a
// field added in between shows here instead of as a slower benchmark.
func TestPartitionLayout(t *testing.T) {
	var p partition
	end := func(off, size uintptr) uintptr { return off + size }
	read := []uintptr{
		end(unsafe.Offsetof(p.hr), unsafe.Offsetof(p.hr.expireAt)+8), // all but window
		end(unsafe.Offsetof(p.r), 8), end(unsafe.Offsetof(p.cumR), 8),
		end(unsafe.Offsetof(p.nextPick), 8), end(unsafe.Offsetof(p.reps), unsafe.Sizeof(p.reps)),
	}
	for _, e := range read {
		assert.LessOrEqual(t, e, uintptr(3*64), "a read's field ends past the third line")
	}
	write := []uintptr{
		unsafe.Offsetof(p.weight), unsafe.Offsetof(p.leader), unsafe.Offsetof(p.w), unsafe.Offsetof(p.cumW),
		unsafe.Offsetof(p.applied), unsafe.Offsetof(p.hw) + unsafe.Offsetof(p.hw.expireAt), // all but window
	}
	for _, off := range write {
		assert.GreaterOrEqual(t, off, uintptr(64), "a write's field is in the first line")
		assert.Less(t, off, uintptr(5*64), "a write's field is past the fifth line")
	}
}
