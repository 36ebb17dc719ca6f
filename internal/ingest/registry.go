package ingest

import (
	"fmt"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/egdi/egdi/data"
)

// RegistryEntry is one indicator of data/indicators.yaml.
type RegistryEntry struct {
	ID    string            `yaml:"id"`
	Label map[string]string `yaml:"label"`
	Unit  string            `yaml:"unit"`
	Min   *float64          `yaml:"min"`
	Max   *float64          `yaml:"max"`
	ITU   []string          `yaml:"itu"`
	Heads []string          `yaml:"headers"`
}

var (
	regOnce sync.Once
	reg     []RegistryEntry
	regErr  error
)

// Registry returns the indicator registry embedded from data/indicators.yaml.
func Registry() ([]RegistryEntry, error) {
	regOnce.Do(func() {
		b, err := data.FS.ReadFile("indicators.yaml")
		if err != nil {
			regErr = err
			return
		}
		var doc struct {
			Indicators []RegistryEntry `yaml:"indicators"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			regErr = fmt.Errorf("data/indicators.yaml: %w", err)
			return
		}
		reg = doc.Indicators
	})
	return reg, regErr
}
