package cluster

import (
	"fmt"
	"time"
)

// Detector is the control plane's health checking of a writer: checks
// every Interval, and Threshold failed in a row declare it failed. The
// models schedule the checks; the detector counts them.
type Detector struct {
	Interval  time.Duration
	Threshold int
	failed    int
}

// Check records one health check and reports whether the failures in a
// row have reached the threshold.
func (d *Detector) Check(healthy bool) bool {
	if healthy {
		d.failed = 0
		return false
	}
	d.failed++
	return d.failed >= d.Threshold
}

// Reset forgets the failures counted so far (a new writer accepts).
func (d *Detector) Reset() { d.failed = 0 }

// Why says what declared the failure: "3 health checks failed, 5s apart".
func (d *Detector) Why() string {
	return fmt.Sprintf("%d health checks failed, %v apart", d.failed, d.Interval)
}
