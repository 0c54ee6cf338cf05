package client

import (
	"fmt"
	"time"
)

// Names of the AWS SDK retry presets for DynamoDB clients (SDKRetry).
const (
	GoV2Standard  = "go-v2-standard"
	JavaV1        = "java-v1"
	JavaV2        = "java-v2"
	Boto3Legacy   = "boto3-legacy"
	Boto3Standard = "boto3-standard"
)

// standardQuota is the retry token bucket of the standard retry mode of
// aws-sdk-go-v2 (fact 5.39) and botocore (fact 5.41): 500 tokens, 5 per
// retry, 10 per retry after a timeout, 1 back per successful first attempt.
var standardQuota = RetryQuota{Capacity: 500, Cost: 5, TimeoutCost: 10, Refund: 1}

// SDKNames lists the SDK retry presets in a fixed order.
func SDKNames() []string {
	return []string{GoV2Standard, JavaV1, JavaV2, Boto3Legacy, Boto3Standard}
}

// SDKRetry returns the retry policy a DynamoDB client of the named AWS SDK
// uses by default (models/REFERENCES.md, section 5). Retry.Delay computes
// min(Cap, Base·2^(n-1)) for retry n, jittered, which each preset maps its
// SDK's formula onto.
func SDKRetry(name string) (Retry, error) {
	switch name {
	case GoV2Standard:
		// Fact 5.39: retry.Standard, 3 attempts; delay = rand[0,1) ×
		// 2^attempt s for the attempt that failed (1 for the first retry,
		// so ≤ 2 s), capped at 20 s; retry token bucket 500/5/10.
		// (Beyond log2(20) ≈ 4.3 attempts the SDK waits exactly 20 s
		// without jitter; with 3 attempts that never happens.)
		return Retry{MaxAttempts: 3, Base: 2 * time.Second, Cap: 20 * time.Second, Jitter: FullJitter,
			Quota: standardQuota}, nil
	case JavaV1:
		// Fact 5.37: PredefinedRetryPolicies.DYNAMODB_DEFAULT: 10 retries;
		// full jitter on min(25 ms·2^retries, 20 s) for non-throttling
		// errors, equal jitter on min(500 ms·2^retries, 20 s) for
		// throttling errors. No retry quota in v1's default policy.
		return Retry{MaxAttempts: 11, Base: 25 * time.Millisecond, Cap: 20 * time.Second, Jitter: FullJitter,
			ThrottleBase: 500 * time.Millisecond, ThrottleJitter: EqualJitter}, nil
	case JavaV2:
		// Fact 5.38: DynamoDbRetryPolicy: 8 retries (9 attempts), full
		// jitter on min(25 ms·2^retries, 20 s). The throttling backoff and
		// the standard mode's retry bucket of v2 are not in models/REFERENCES.md:
		// throttles back off like other errors here.
		return Retry{MaxAttempts: 9, Base: 25 * time.Millisecond, Cap: 20 * time.Second, Jitter: FullJitter}, nil
	case Boto3Legacy:
		// Fact 5.40: botocore _retry.json for DynamoDB: 10 attempts, delay
		// 0.05 s × 2^(attempt−1), no jitter and no cap (the ninth retry
		// waits 12.8 s): every client retries in lockstep.
		return Retry{MaxAttempts: 10, Base: 50 * time.Millisecond, Cap: time.Hour, Jitter: NoJitter}, nil
	case Boto3Standard:
		// Fact 5.41: botocore standard mode: 3 attempts, delay =
		// rand(0,1) × min(2^(attempt−1), 20) s (first retry ≤ 1 s); retry
		// quota 500/5/10.
		return Retry{MaxAttempts: 3, Base: time.Second, Cap: 20 * time.Second, Jitter: FullJitter,
			Quota: standardQuota}, nil
	}
	return Retry{}, fmt.Errorf("unknown SDK retry preset %q (known: %v)", name, SDKNames())
}
