package gateway

// For the external tests (package gateway_test): the real programs.
var (
	MapServerForTest = mapserver
	NeedForTest      = need
)
