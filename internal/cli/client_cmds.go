package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/client"
	"github.com/octroi/octroi/internal/tuple"
)

// clientCommands are the commands that talk to a running server.
func clientCommands() map[string]command {
	return map[string]command{
		"check":            {"check a permission: RESOURCE PERMISSION SUBJECT", runCheck},
		"lookup resources": {"list resources a subject has a permission on: TYPE PERMISSION SUBJECT", runLookupResources},
		"lookup subjects":  {"list subjects that have a permission: RESOURCE PERMISSION SUBJECT_TYPE[#RELATION]", runLookupSubjects},
		"rel write":        {"touch, create or delete relationships (arguments or stdin, text form)", runRelWrite},
		"rel read":         {"read relationships matching a filter", runRelRead},
		"rel delete":       {"delete relationships matching a filter", runRelDelete},
		"rel import":       {"import relationships from a file or stdin (text form, one per line)", runRelImport},
		"rel export":       {"export relationships to stdout (text form)", runRelExport},
		"schema read":      {"print the server's schema", runSchemaRead},
		"schema write":     {"write a schema file to the server (--dry-run shows the changes)", runSchemaWrite},
	}
}

// clientFlags holds what every client command takes.
type clientFlags struct {
	endpoint, token string
	fresh           string // at_least_as_fresh token
	full            bool
	asJSON          bool
}

func newClientFlags(name, args string, stderr io.Writer, reads bool) (*flag.FlagSet, *envFlags, *clientFlags) {
	fs := newFlags(name, args, stderr)
	ef := &envFlags{fs: fs}
	c := &clientFlags{endpoint: "http://127.0.0.1:8080"}
	ef.String(&c.endpoint, "endpoint", "OCTROI_ENDPOINT", "server URL")
	ef.String(&c.token, "token", "OCTROI_TOKEN", "API token (prefer the environment to the command line)")
	fs.BoolVar(&c.asJSON, "json", false, "print the API's JSON answer")
	if reads {
		fs.StringVar(&c.fresh, "at-least-as-fresh", "", "read at least as fresh as this consistency token")
		fs.BoolVar(&c.full, "fully-consistent", false, "read at the database's latest revision")
	}
	return fs, ef, c
}

func (c *clientFlags) parse(fs *flag.FlagSet, ef *envFlags, args []string, nargs int) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := ef.err(); err != nil {
		return err
	}
	if nargs >= 0 && fs.NArg() != nargs {
		return fmt.Errorf("%w: want %d arguments, got %d", errUsage, nargs, fs.NArg())
	}
	return nil
}

func (c *clientFlags) client() *client.Client { return client.New(c.endpoint, c.token) }

func (c *clientFlags) consistency() *api.Consistency {
	switch {
	case c.fresh != "":
		return &api.Consistency{AtLeastAsFresh: c.fresh}
	case c.full:
		return &api.Consistency{FullyConsistent: true}
	}
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// contextFlag declares --context: caveat context as a JSON object, decoded
// when the flags are parsed (a malformed object is a usage error then).
func contextFlag(fs *flag.FlagSet) *jsonObject {
	var m jsonObject
	fs.Var(&m, "context", "caveat context as a JSON object")
	return &m
}

// jsonObject is a flag.Value holding a JSON object.
type jsonObject map[string]any

func (m *jsonObject) String() string {
	if m == nil || *m == nil {
		return ""
	}
	b, _ := json.Marshal(*m)
	return string(b)
}

func (m *jsonObject) Set(s string) error { return json.Unmarshal([]byte(s), m) }

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, ef, c := newClientFlags("check", "[flags] RESOURCE PERMISSION SUBJECT", stderr, true)
	cx := contextFlag(fs)
	explain := fs.Bool("explain", false, "print why (the paths evaluated)")
	if err := c.parse(fs, ef, args, 3); err != nil {
		return err
	}
	req := api.CheckRequest{Resource: fs.Arg(0), Permission: fs.Arg(1), Subject: fs.Arg(2), Context: *cx, Consistency: c.consistency()}
	if *explain {
		x, err := c.client().Explain(ctx, api.ExplainRequest{CheckRequest: req})
		if err != nil {
			return err
		}
		if c.asJSON {
			return printJSON(stdout, x)
		}
		fmt.Fprintln(stdout, x.Result)
		_, err = io.WriteString(stdout, x.Text)
		return err
	}
	res, err := c.client().Check(ctx, req)
	if err != nil {
		return err
	}
	if c.asJSON {
		return printJSON(stdout, res)
	}
	if len(res.Missing) > 0 {
		fmt.Fprintf(stdout, "%s (missing %s)\n", res.Result, strings.Join(res.Missing, ", "))
		return nil
	}
	fmt.Fprintln(stdout, res.Result)
	return nil
}

func runLookupResources(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, ef, c := newClientFlags("lookup resources", "[flags] TYPE PERMISSION SUBJECT", stderr, true)
	cx := contextFlag(fs)
	if err := c.parse(fs, ef, args, 3); err != nil {
		return err
	}
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	_, err := c.client().StreamResources(ctx, api.LookupResourcesRequest{
		ResourceType: fs.Arg(0), Permission: fs.Arg(1), Subject: fs.Arg(2), Context: *cx, Consistency: c.consistency(),
	}, func(r api.LookupResource) error {
		if c.asJSON {
			b, _ := json.Marshal(r)
			_, err := fmt.Fprintf(bw, "%s\n", b)
			return err
		}
		if r.Result == "conditional" {
			_, err := fmt.Fprintf(bw, "%s:%s (conditional: missing %s)\n", fs.Arg(0), r.ResourceID, strings.Join(r.Missing, ", "))
			return err
		}
		_, err := fmt.Fprintf(bw, "%s:%s\n", fs.Arg(0), r.ResourceID)
		return err
	})
	return err
}

func runLookupSubjects(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, ef, c := newClientFlags("lookup subjects", "[flags] RESOURCE PERMISSION SUBJECT_TYPE[#RELATION]", stderr, true)
	cx := contextFlag(fs)
	if err := c.parse(fs, ef, args, 3); err != nil {
		return err
	}
	typ, rel, _ := strings.Cut(fs.Arg(2), "#")
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	_, err := c.client().StreamSubjects(ctx, api.LookupSubjectsRequest{
		Resource: fs.Arg(0), Permission: fs.Arg(1), SubjectType: typ, SubjectRelation: rel, Context: *cx, Consistency: c.consistency(),
	}, func(s api.LookupSubject) error {
		if c.asJSON {
			b, _ := json.Marshal(s)
			_, err := fmt.Fprintf(bw, "%s\n", b)
			return err
		}
		line := s.Subject
		if s.Result == "conditional" {
			line += " (conditional: missing " + strings.Join(s.Missing, ", ") + ")"
		}
		for _, x := range s.Excluded {
			line += " -" + x.Subject
		}
		_, err := fmt.Fprintln(bw, line)
		return err
	})
	return err
}

// readLines returns the non-blank, non-comment lines of the arguments, or
// of stdin when the only argument is "-".
func readLines(args []string) ([]string, error) {
	if len(args) != 1 || args[0] != "-" {
		return args, nil
	}
	var out []string
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}

func runRelWrite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, ef, c := newClientFlags("rel write", "[flags] RELATIONSHIP... | -", stderr, false)
	op := fs.String("op", "touch", "touch, create or delete")
	if err := c.parse(fs, ef, args, -1); err != nil {
		return err
	}
	lines, err := readLines(fs.Args())
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		return fmt.Errorf("%w: give relationships, or - to read them from stdin", errUsage)
	}
	var req api.WriteRequest
	for _, l := range lines {
		t, err := tuple.Parse(l)
		if err != nil {
			return fmt.Errorf("%q: %w", l, err)
		}
		req.Updates = append(req.Updates, api.Update{Operation: *op, Relationship: api.FromTuple(t)})
	}
	res, err := c.client().Write(ctx, req)
	if err != nil {
		return err
	}
	if c.asJSON {
		return printJSON(stdout, res)
	}
	fmt.Fprintf(stdout, "%d written; consistency token %s\n", len(req.Updates), res.ConsistencyToken)
	return nil
}

func filterFlags(fs *flag.FlagSet) func() api.Filter {
	var f api.Filter
	fs.StringVar(&f.ResourceType, "resource-type", "", "filter: resource type")
	fs.StringVar(&f.ResourceID, "resource-id", "", "filter: resource id")
	fs.StringVar(&f.Relation, "relation", "", "filter: relation")
	fs.StringVar(&f.SubjectType, "subject-type", "", "filter: subject type")
	fs.StringVar(&f.SubjectID, "subject-id", "", "filter: subject id")
	srel := fs.String("subject-relation", "", "filter: subject relation (... for none)")
	return func() api.Filter {
		fs.Visit(func(fl *flag.Flag) {
			if fl.Name == "subject-relation" {
				f.SubjectRelation = srel
			}
		})
		return f
	}
}

func runRelRead(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, ef, c := newClientFlags("rel read", "[flags]", stderr, true)
	filter := filterFlags(fs)
	if err := c.parse(fs, ef, args, 0); err != nil {
		return err
	}
	req := api.ReadRequest{Filter: filter(), Consistency: c.consistency()}
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	for {
		page, err := c.client().Read(ctx, req)
		if err != nil {
			return err
		}
		for _, r := range page.Relationships {
			if c.asJSON {
				b, _ := json.Marshal(r)
				fmt.Fprintf(bw, "%s\n", b)
				continue
			}
			t, err := r.Tuple()
			if err != nil {
				return err
			}
			fmt.Fprintln(bw, tuple.Format(t))
		}
		if page.Cursor == "" {
			return nil
		}
		req.Cursor = page.Cursor
	}
}

func runRelDelete(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, ef, c := newClientFlags("rel delete", "--resource-type TYPE [filter flags]", stderr, false)
	filter := filterFlags(fs)
	limit := fs.Int("limit", 0, "delete at most this many (0: all)")
	if err := c.parse(fs, ef, args, 0); err != nil {
		return err
	}
	res, err := c.client().Delete(ctx, api.DeleteRequest{Filter: filter(), Limit: *limit})
	if err != nil {
		return err
	}
	if c.asJSON {
		return printJSON(stdout, res)
	}
	fmt.Fprintf(stdout, "%d deleted; consistency token %s\n", res.Deleted, res.ConsistencyToken)
	return nil
}

func runRelImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, ef, c := newClientFlags("rel import", "[flags] FILE|-", stderr, false)
	if err := c.parse(fs, ef, args, 1); err != nil {
		return err
	}
	var r io.Reader = os.Stdin
	if fs.Arg(0) != "-" {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	res, err := c.client().Import(ctx, r)
	if err != nil {
		return err
	}
	if c.asJSON {
		return printJSON(stdout, res)
	}
	fmt.Fprintf(stdout, "%d imported; consistency token %s\n", res.Imported, res.ConsistencyToken)
	return nil
}

func runRelExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, ef, c := newClientFlags("rel export", "[filter flags]", stderr, false)
	filter := filterFlags(fs)
	if err := c.parse(fs, ef, args, 0); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(stdout, 64<<10)
	tok, err := c.client().Export(ctx, filter(), bw)
	if err != nil {
		return err
	}
	fmt.Fprintf(bw, "# consistency_token: %s\n", tok)
	return bw.Flush()
}

func runSchemaRead(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, ef, c := newClientFlags("schema read", "[flags]", stderr, false)
	if err := c.parse(fs, ef, args, 0); err != nil {
		return err
	}
	res, err := c.client().ReadSchema(ctx)
	if err != nil {
		return err
	}
	if c.asJSON {
		return printJSON(stdout, res)
	}
	_, err = io.WriteString(stdout, res.Schema)
	return err
}

func runSchemaWrite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, ef, c := newClientFlags("schema write", "[flags] FILE|-", stderr, false)
	dry := fs.Bool("dry-run", false, "show what would change without writing")
	if err := c.parse(fs, ef, args, 1); err != nil {
		return err
	}
	var text []byte
	var err error
	if fs.Arg(0) == "-" {
		text, err = io.ReadAll(os.Stdin)
	} else {
		text, err = os.ReadFile(fs.Arg(0))
	}
	if err != nil {
		return err
	}
	res, err := c.client().WriteSchema(ctx, api.WriteSchemaRequest{Schema: string(text), DryRun: *dry})
	if err != nil {
		return schemaProblem(fs.Arg(0), err, stderr)
	}
	if c.asJSON {
		return printJSON(stdout, res)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "%s:%s: warning\n", fs.Arg(0), w)
	}
	d := res.Diff
	for _, l := range []struct {
		mark string
		s    []string
	}{
		{"+ definition", d.AddedDefinitions}, {"- definition", d.RemovedDefinitions},
		{"+ relation", d.AddedRelations}, {"- relation", d.RemovedRelations}, {"~ relation", d.ChangedRelations},
		{"+ permission", d.AddedPermissions}, {"- permission", d.RemovedPermissions}, {"~ permission", d.ChangedPermissions},
		{"+ caveat", d.AddedCaveats}, {"- caveat", d.RemovedCaveats}, {"~ caveat", d.ChangedCaveats},
	} {
		for _, s := range l.s {
			fmt.Fprintf(stdout, "%s %s\n", l.mark, s)
		}
	}
	if d.Empty() {
		fmt.Fprintln(stdout, "no changes")
	}
	if *dry {
		fmt.Fprintln(stdout, "dry run: nothing written")
	} else {
		fmt.Fprintf(stdout, "schema written; consistency token %s\n", res.ConsistencyToken)
	}
	return nil
}

// schemaProblem prints positioned schema errors as file:line:col, like a
// compiler, and what a refused change would orphan.
func schemaProblem(file string, err error, stderr io.Writer) error {
	p, ok := err.(*api.Problem)
	if !ok || (len(p.Errors) == 0 && len(p.Uses) == 0) {
		return err
	}
	for _, e := range p.Errors {
		fmt.Fprintf(stderr, "%s:%d:%d: %s\n", file, e.Line, e.Column, e.Message)
	}
	for _, u := range p.Uses {
		fmt.Fprintf(stderr, "%s: %d stored relationships: %s\n", u.Shape, u.Count, u.Problem)
	}
	fmt.Fprintln(stderr, p.Detail)
	return errFailed
}
