package cluster

// EngineCrash is the cause of the failover record of a database process
// that crashed and restarted in place, on the same host, with no other
// copy taking over (the models' CrashEngine): the summary calls its
// recovery a restart.
const EngineCrash = "engine crash"
