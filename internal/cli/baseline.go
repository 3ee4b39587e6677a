package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/rolecall/rolecall/analyzer/result"
	"github.com/rolecall/rolecall/internal/report"
)

// baseline is the set of fingerprints of a previous `rolecall scan --format json` report.
type baseline struct {
	file         string
	fingerprints map[string]bool
}

// loadBaseline reads a previous JSON report. Anything that is not one — unreadable, not JSON,
// another version, a finding without a fingerprint — is an error positioned in the file, so a
// wrong --baseline never silently reports everything (or nothing) as new.
func loadBaseline(file string) (*baseline, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--baseline: %w", err)
	}
	b := &baseline{file: file, fingerprints: map[string]bool{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(offset int64, format string, args ...any) error {
		line, col := position(data, valueStart(data, offset))
		return fmt.Errorf("%s:%d:%d: %s (want a report written by rolecall scan --format json)", file, line, col, fmt.Sprintf(format, args...))
	}
	syntax := func(err error) error {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fail(se.Offset-1, "%v", err) // Offset counts the offending byte
		case errors.As(err, &te):
			return fail(te.Offset, "%v", err)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return fail(int64(len(data)), "unexpected end of JSON input")
		}
		return fail(dec.InputOffset(), "%v", err)
	}
	if tok, err := dec.Token(); err != nil {
		return nil, syntax(err)
	} else if tok != json.Delim('{') {
		return nil, fail(0, "not a JSON object")
	}
	var version *int
	sawFindings := false
	for dec.More() {
		keyAt := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		key, _ := tok.(string)
		switch key {
		case "version":
			var v int
			if err := dec.Decode(&v); err != nil {
				if te := (*json.UnmarshalTypeError)(nil); errors.As(err, &te) {
					return nil, fail(keyAt, `"version" is not a number`)
				}
				return nil, syntax(err)
			}
			if v != report.JSONVersion {
				return nil, fail(keyAt, "report version %d, this rolecall reads version %d", v, report.JSONVersion)
			}
			version = &v
		case "findings":
			sawFindings = true
			if err := b.readFindings(dec, fail, syntax); err != nil {
				return nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, syntax(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntax(err)
	}
	// One report per file: a second one appended (scan >> file) or other text after it would
	// otherwise be ignored.
	if rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		line, col := position(data, int64(len(data)-len(rest)))
		return nil, fmt.Errorf("%s:%d:%d: text after the report (want one report written by rolecall scan --format json)", file, line, col)
	}
	switch {
	case version == nil:
		return nil, fail(0, `no "version"`)
	case !sawFindings:
		return nil, fail(0, `no "findings"`)
	}
	return b, nil
}

func (b *baseline) readFindings(dec *json.Decoder, fail func(int64, string, ...any) error, syntax func(error) error) error {
	at := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return syntax(err)
	}
	if tok != json.Delim('[') {
		return fail(at, `"findings" is not an array`)
	}
	for i := 0; dec.More(); i++ {
		at := dec.InputOffset()
		var f struct {
			Fingerprint string `json:"fingerprint"`
		}
		if err := dec.Decode(&f); err != nil {
			if te := (*json.UnmarshalTypeError)(nil); errors.As(err, &te) {
				return fail(at, "findings[%d]: %v", i, err)
			}
			return syntax(err)
		}
		if f.Fingerprint == "" {
			return fail(at, "findings[%d] has no fingerprint", i)
		}
		b.fingerprints[f.Fingerprint] = true
	}
	_, err = dec.Token() // ]
	if err != nil {
		return syntax(err)
	}
	return nil
}

// valueStart moves an offset taken before a value (InputOffset points just after the previous
// token, before any comma and white space) to the value's first character.
func valueStart(data []byte, at int64) int64 {
	for at < int64(len(data)) && bytes.IndexByte([]byte(" \t\r\n,:"), data[at]) >= 0 {
		at++
	}
	return at
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	line, col = 1, 1
	for _, c := range data[:offset] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// apply drops the findings whose fingerprint is in the baseline and counts them in the summary.
func (b *baseline) apply(scan *result.Scan) {
	kept := scan.Findings[:0]
	for _, f := range scan.Findings {
		if b.fingerprints[f.Fingerprint] {
			scan.Summary.Baselined++
			continue
		}
		kept = append(kept, f)
	}
	scan.Findings = kept
}
