package scenarios

import (
	"fmt"

	"dbsim/models/backup"
)

// backupConfig converts a system's backup block (validated, its defaults
// filled) into the model's.
func (s *Scenario) backupConfig(b *Backup) (backup.Config, error) {
	cfg := backup.Defaults()
	cfg.WindowStart = b.WindowStart.D()
	cfg.Retention = b.Retention.D()
	cfg.LogUpload = b.LogUpload.D()
	cfg.Suspend = b.IOSuspension.D()
	cfg.Provision = b.Provision.D()
	cfg.ReplayRate = float64(b.ReplayRate)
	cfg.HydrateRate = float64(b.HydrateRate)
	if s.Has("system.backup.block_fetch") {
		d, err := b.BlockFetch.Sampler()
		if err != nil {
			return cfg, fmt.Errorf("system.backup.block_fetch: %w", err)
		}
		cfg.Fetch = d
	}
	return cfg, cfg.Validate()
}
