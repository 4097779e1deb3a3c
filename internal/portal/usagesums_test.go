package portal_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// The usage of a key and of a service reads both stored forms (a
// document per sum, written before; shards of sums per writer, written
// now) and adds up the documents of one day, key, service and grant,
// leaving out the other keys of a shard.
func TestUsageReadsBothFormsAndAddsWriters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		grantWorld(t, e, time.Now().Add(30*24*time.Hour))
		k, _, err := e.svc.CreateKey(e.ctx, "part", portal.KeySpec{Name: "QGIS", Type: portal.KeyHash, Accesses: []portal.AccessPair{{Grant: "g1", Service: "wms1"}}})
		ok(t, err)
		other := "" // another key of k's shard
		for i := 0; other == ""; i++ {
			if c := fmt.Sprint("other-", i); portal.UsageKeyShardParent(c) == portal.UsageKeyShardParent(k.ID) {
				other = c
			}
		}
		day := e.clock.Now().UTC().Format(time.DateOnly)
		old := portal.UsageSum{Day: day, Key: k.ID, Account: "part", Service: "wms1", Grant: "g1", Allowed: 1, Refused: 1, Bytes: 10}
		w1 := []portal.UsageSum{
			{Day: day, Key: k.ID, Service: "wms1", Grant: "g1", Allowed: 2, Bytes: 20},
			{Day: day, Key: other, Service: "wms1", Grant: "g1", Allowed: 1000},
		}
		w2 := []portal.UsageSum{{Day: day, Key: k.ID, Account: "part", Service: "wms1", Grant: "g1", Allowed: 4, Refused: 3}}
		_, err = e.st.Transact(e.ctx, func(tx store.DocTx) error {
			b, _ := json.Marshal(old)
			for _, d := range []store.Doc{
				{Kind: portal.KindUsageDay, ID: day + "/" + k.ID + "/wms1/g1", Parent: k.ID, Data: b},
				{Kind: portal.KindUsageDayService, ID: day + "/" + k.ID + "/wms1/g1", Parent: "wms1", Data: b},
				{Kind: portal.KindUsageKeys, ID: portal.UsageKeysID(day, k.ID, "w1"), Parent: portal.UsageKeyShardParent(k.ID), Data: sumsRec(t, w1)},
				{Kind: portal.KindUsageKeys, ID: portal.UsageKeysID(day, k.ID, "w2"), Parent: portal.UsageKeyShardParent(k.ID), Data: sumsRec(t, w2)},
				{Kind: portal.KindUsageServices, ID: portal.UsageServicesID(day, "wms1", k.ID, "w1"), Parent: "wms1", Data: sumsRec(t, w1)}, // other is of the same shard
				{Kind: portal.KindUsageServices, ID: portal.UsageServicesID(day, "wms1", k.ID, "w2"), Parent: "wms1", Data: sumsRec(t, w2)},
			} {
				if err := tx.PutDoc(e.ctx, d); err != nil {
					return err
				}
			}
			return nil
		})
		ok(t, err)
		want := portal.UsageSum{Day: day, Key: k.ID, Account: "part", Service: "wms1", Grant: "g1", Allowed: 7, Refused: 4, Bytes: 30}
		us, err := e.svc.KeyUsage(e.ctx, "part", k.ID, nil)
		ok(t, err)
		if len(us) != 1 || us[0] != want {
			t.Errorf("KeyUsage = %+v, want %+v", us, want)
		}
		us, err = e.svc.ServiceUsage(e.ctx, "adm", "wms1", nil)
		ok(t, err)
		if len(us) == 2 && us[0].Key == other {
			us[0], us[1] = us[1], us[0]
		}
		if len(us) != 2 || us[0] != want || us[1].Key != other || us[1].Allowed != 1000 {
			t.Errorf("ServiceUsage = %+v, want the other key's and %+v", us, want)
		}
		// A record of a newer version is refused, not misread.
		_, err = e.st.Transact(e.ctx, func(tx store.DocTx) error {
			return tx.PutDoc(e.ctx, store.Doc{Kind: portal.KindUsageKeys, ID: portal.UsageKeysID(day, k.ID, "w3"), Parent: portal.UsageKeyShardParent(k.ID), Data: []byte(`{"v":2,"sums":[]}`)})
		})
		ok(t, err)
		if _, err := e.svc.KeyUsage(e.ctx, "part", k.ID, nil); err == nil {
			t.Error("a version-2 record of sums was read")
		}
	})
}

func sumsRec(t *testing.T, sums []portal.UsageSum) []byte {
	b, err := json.Marshal(portal.UsageSums{V: 1, Sums: sums})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
