package live

import (
	"os"
	"testing"

	"github.com/rolecall/rolecall/internal/livetest"
)

// TestMain stops the kube-apiserver the tests share (livetest.SharedKubeAPI) after the last test.
func TestMain(m *testing.M) { os.Exit(livetest.Main(m)) }
