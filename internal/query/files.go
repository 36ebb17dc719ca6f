package query

import "os"

// renameInto moves a finished file into place, so that a failed export leaves no
// partial file behind.
func renameInto(tmp, final string) error {
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
