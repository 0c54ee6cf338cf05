package cluster

// AckLog remembers which log positions (LSNs) of acknowledged writes are
// not yet known to be safe on every node that could become the writer, so
// that a promotion can count exactly the acknowledged writes it loses.
// Memory grows with the un-replicated tail only.
type AckLog struct {
	lsns []uint64 // ascending
	head int
}

// Ack records that the write at lsn was acknowledged to its client.
func (a *AckLog) Ack(lsn uint64) {
	// Acks arrive almost in LSN order: insert from the back.
	a.lsns = append(a.lsns, lsn)
	for i := len(a.lsns) - 1; i > a.head && a.lsns[i-1] > a.lsns[i]; i-- {
		a.lsns[i-1], a.lsns[i] = a.lsns[i], a.lsns[i-1]
	}
}

// Trim forgets acknowledged writes at or below lsn: every candidate has them.
func (a *AckLog) Trim(lsn uint64) {
	for a.head < len(a.lsns) && a.lsns[a.head] <= lsn {
		a.head++
	}
	if a.head > 1024 && a.head*2 > len(a.lsns) {
		n := copy(a.lsns, a.lsns[a.head:])
		a.lsns, a.head = a.lsns[:n], 0
	}
}

// Above counts acknowledged writes with an LSN above lsn.
func (a *AckLog) Above(lsn uint64) int64 {
	lo, hi := a.head, len(a.lsns)
	for lo < hi {
		m := (lo + hi) / 2
		if a.lsns[m] <= lsn {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return int64(len(a.lsns) - lo)
}
