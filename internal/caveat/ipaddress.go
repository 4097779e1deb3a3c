package caveat

import (
	"fmt"
	"net/netip"
	"reflect"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
)

// ipAddressCELType is the CEL type of ipaddress parameters. It is immutable
// and shared by every compiled caveat: values carry it as their runtime type.
var ipAddressCELType = cel.ObjectType("ipaddress", traits.ReceiverType)

// ipAddress is the CEL value of an ipaddress parameter.
type ipAddress struct {
	addr netip.Addr
}

var (
	stringReflectType = reflect.TypeFor[string]()
	addrReflectType   = reflect.TypeFor[netip.Addr]()
)

func (ip ipAddress) ConvertToNative(typeDesc reflect.Type) (any, error) {
	switch typeDesc {
	case stringReflectType:
		return ip.addr.String(), nil
	case addrReflectType:
		return ip.addr, nil
	}
	return nil, fmt.Errorf("cannot convert ipaddress to %v", typeDesc)
}

func (ip ipAddress) ConvertToType(typeVal ref.Type) ref.Val {
	switch typeVal {
	case types.StringType:
		return types.String(ip.addr.String())
	case types.TypeType:
		return ipAddressCELType
	}
	return types.NewErr("type conversion error from ipaddress to %s", typeVal)
}

func (ip ipAddress) Equal(other ref.Val) ref.Val {
	o, ok := other.(ipAddress)
	if !ok {
		return types.False
	}
	return types.Bool(ip.addr == o.addr)
}

func (ip ipAddress) Type() ref.Type { return ipAddressCELType }

func (ip ipAddress) Value() any { return ip.addr }

// maxCIDRLen is longer than any CIDR ParsePrefix accepts (the longest is
// 49 bytes: "0000:0000:0000:0000:0000:ffff:255.255.255.255/128").
const maxCIDRLen = 64

// inCIDR implements ipaddress.in_cidr(string): whether the address is inside
// the network written in CIDR notation ("10.0.0.0/8", "2001:db8::/32"). As in
// SpiceDB an IPv4 address is never inside an IPv6 network and vice versa, and
// a malformed CIDR is an evaluation error.
func inCIDR(lhs, rhs ref.Val) ref.Val {
	ip, ok := lhs.(ipAddress)
	if !ok {
		return types.NewErr("in_cidr: receiver is not an ipaddress")
	}
	s, ok := rhs.(types.String)
	if !ok {
		return types.NewErr("in_cidr: argument is not a string")
	}
	if len(s) > maxCIDRLen {
		// Refused unread: parsing and quoting a context string of megabytes
		// thousands of times over would take minutes at one cost unit a call.
		return types.NewErr("in_cidr: invalid CIDR %q (%d bytes, longer than any CIDR)", truncate(string(s)), len(s))
	}
	prefix, err := netip.ParsePrefix(string(s))
	if err != nil {
		return types.NewErr("in_cidr: invalid CIDR %q", string(s))
	}
	return types.Bool(prefix.Contains(ip.addr))
}

func ipAddressEnvOption() cel.EnvOption {
	return cel.Function("in_cidr",
		cel.MemberOverload("ipaddress_in_cidr_string",
			[]*cel.Type{ipAddressCELType, cel.StringType}, cel.BoolType,
			cel.BinaryBinding(inCIDR)))
}
