// Package lessons holds the workshop's lessons: a bundled scenario plus a
// short text that asks before it shows. A lesson says what to predict
// (a number from the run's summary, hidden until the run), which
// parameters a learner may move (sliders: a field path of the scenario,
// a range and a unit), which faults a learner may add (buttons), the goals
// a run is checked against (a summary field below or above a bound) and a
// teacher's guide.
//
// Lessons are YAML files embedded from lessons/*.yaml, decoded strictly
// and validated against their scenario: every slider path is written in
// the scenario, both ends of its range and every fault button give a
// scenario that validates. A slider or a fault button edits the scenario's
// text (SetValue, ToggleFault), so what a learner runs is always the YAML
// they see. Goals are read from summary.json as decoded by encoding/json
// (Lookup, Check), so this package needs nothing of the report but its
// field names; the tests check that every field a lesson names is in the
// summary of its run.
package lessons
