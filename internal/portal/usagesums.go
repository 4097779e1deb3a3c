package portal

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
)

// The stored form of the usage sums written by this octroi (those of
// KindUsageDay and KindUsageDayService, one document per day, key,
// service and grant, were written before, and are still read).
//
// The gateway's usage log keeps, per writer (each running log; see
// package gateway), the day's sums in shards of keys, and rewrites each
// shard that changed as one document:
//
//   - KindUsageKeys: the sums of the keys of one shard (UsageKeyShard),
//     id "day/kNNNN/writer", Parent "kNNNN": an owner's key is read from
//     its shard's documents;
//   - KindUsageServices: the sums of one service for the keys of one of
//     its UsageServiceShards shards, id "day/service/sNN/writer", Parent
//     the service: a producer reads their service's.
//
// Both hold a UsageSums record. A day's sum of one key, service and grant
// may be in several documents (one per writer): readers add them up.
// Sharding rather than a document per key: at tens of thousands of
// decisions a second over many keys, writing a document per key that
// changed cost a hundred times more than writing the events.
const (
	KindUsageKeys     = "usage_day_keys"
	KindUsageServices = "usage_day_services"
	// UsageKeyShards and UsageServiceShards are part of the stored form:
	// changing them needs a new kind.
	UsageKeyShards     = 1024
	UsageServiceShards = 16
)

// usageSumsVersion is the version of UsageSums records written, and the
// highest read.
const usageSumsVersion = 1

// UsageSums is the record of a shard of sums.
type UsageSums struct {
	V    int        `json:"v"`
	Sums []UsageSum `json:"sums"`
}

// UsageShard is the hash of a key that places its sums.
func UsageShard(key string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(key))
	return h.Sum32()
}

// UsageKeyShardParent is the Parent of the KindUsageKeys documents that
// hold key's sums.
func UsageKeyShardParent(key string) string {
	return fmt.Sprintf("k%04d", UsageShard(key)%UsageKeyShards)
}

// UsageKeysID names the KindUsageKeys document of writer holding key's
// sums of day.
func UsageKeysID(day, key, writer string) string {
	return day + "/" + UsageKeyShardParent(key) + "/" + writer
}

// UsageServicesID names the KindUsageServices document of writer holding
// the sums of service for key, of day.
func UsageServicesID(day, service, key, writer string) string {
	return fmt.Sprintf("%s/%s/s%02d/%s", day, service, UsageShard(key)%UsageServiceShards, writer)
}

// DecodeUsageSums reads a UsageSums record; a version above the one
// this octroi writes is refused rather than misread.
func DecodeUsageSums(data []byte) ([]UsageSum, error) {
	var r UsageSums
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	if r.V < 1 || r.V > usageSumsVersion {
		return nil, fmt.Errorf("usage sums of version %d: this octroi reads version %d", r.V, usageSumsVersion)
	}
	return r.Sums, nil
}
