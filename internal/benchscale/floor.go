// Package benchscale measures rolecall's scan on generated environments of 1k, 5k and 20k
// roles, stage by stage, against the parse floor: the cost of merely reading and decoding the
// same files with the standard decoders (ParseFloor), which no scan can beat.
package benchscale

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Floor is what ParseFloor read.
type Floor struct {
	Files int
	Bytes int64
	// Documents are the decoded documents, all kept: an analysis across files holds its
	// inputs at once, so the floor's peak memory includes them.
	Documents []any
}

// ParseFloor reads every .json, .yaml and .yml file under root (the files rolecall reads in a
// folder of generated inputs) and decodes it with the standard decoders only: encoding/json
// into any for JSON, go.yaml.in/yaml/v3 into any for every document of a YAML file. There is
// no rolecall logic: no positions, no recognition, no inventory.
func ParseFloor(root string) (Floor, error) {
	var fl Floor
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := strings.ToLower(filepath.Ext(path))
		if ext != ".json" && ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fl.Files++
		fl.Bytes += int64(len(data))
		if ext == ".json" {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				return fmt.Errorf("decode %s: %w", path, err)
			}
			fl.Documents = append(fl.Documents, v)
			return nil
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var v any
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("decode %s: %w", path, err)
			}
			fl.Documents = append(fl.Documents, v)
		}
	})
	return fl, err
}
