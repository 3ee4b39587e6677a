package suppress

import (
	"path"
	"path/filepath"
	"strings"
)

// MatchPath matches a slash-separated file name against a glob: * and ? match within one path
// segment (as path.Match), ** as a whole segment matches any number of segments (none
// included), and a pattern ending in / matches everything below that folder.
func MatchPath(pattern, name string) bool {
	pattern = strings.TrimPrefix(pattern, "./")
	name = strings.TrimPrefix(name, "./")
	if strings.HasSuffix(pattern, "/") {
		pattern += "**"
	}
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for len(pat) > 0 && pat[0] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 0 {
				return true
			}
			for i := range name {
				if matchSegments(pat, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// RelativeTo returns file (a reported input name: relative to the working directory, or
// absolute) relative to the folder base, with forward slashes. With base "", or when file
// cannot be expressed below base, file is returned as given (with forward slashes).
func RelativeTo(base, file string) string {
	if base == "" {
		return filepath.ToSlash(file)
	}
	absBase, err1 := filepath.Abs(base)
	absFile, err2 := filepath.Abs(filepath.FromSlash(file))
	if err1 != nil || err2 != nil {
		return filepath.ToSlash(file)
	}
	rel, err := filepath.Rel(absBase, absFile)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(file)
	}
	return filepath.ToSlash(rel)
}
