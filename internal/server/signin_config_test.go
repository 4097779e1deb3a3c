package server

import (
	"strings"
	"testing"
)

// TestSignInConfigRefusals: the sign-in flags of this file refuse what
// they cannot use, naming the flag.
func TestSignInConfigRefusals(t *testing.T) {
	for _, c := range []struct {
		set  func(*SignInConfig)
		flag string
	}{
		{func(c *SignInConfig) { c.TrustedProxies = "10.0.0.0/8, proxy.local" }, "--signin-trusted-proxies"},
		{func(c *SignInConfig) { c.GroupCommunities = "geo" }, "--oidc-group-communities"},
		{func(c *SignInConfig) {
			c.OIDC.Issuer, c.OIDC.ClientID, c.OIDC.RedirectURL = "http://idp", "octroi", "http://x/cb"
			c.GroupCommunities = "geo=c1"
		}, "--oidc-groups-claim"},
		{func(c *SignInConfig) { c.OIDC.GroupsClaim = "groups" }, "--oidc-groups-claim needs --oidc-issuer"},
	} {
		cfg := Default()
		c.set(&cfg.SignIn)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.flag) {
			t.Errorf("%+v: %v, want an error naming %s", cfg.SignIn, err, c.flag)
		}
	}
	cfg := Default()
	cfg.SignIn.TrustedProxies = "10.0.0.0/8, 192.0.2.1, ::1"
	cfg.SignIn.OIDC.Issuer, cfg.SignIn.OIDC.ClientID, cfg.SignIn.OIDC.RedirectURL = "http://idp", "octroi", "http://x/cb"
	cfg.SignIn.OIDC.GroupsClaim, cfg.SignIn.GroupCommunities = "groups", "geo=c1,ops=c2"
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
}
