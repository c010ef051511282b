package store

import (
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// Note writes go through bolt's Batch: every open tab and the extension's
// retry queue write notes, and Batch lets them share one fsync. Batch may
// run a closure more than once, so each closure below starts by resetting
// everything it reports back (updateContact reloads the contact itself).

// AddNote adds a note with the client's id. A retry with an id already stored
// for this contact returns the stored note and adds nothing; an id stored for
// another contact is a conflict.
func (db *DB) AddNote(slug, noteID, text string) (protocol.Contact, protocol.Note, error) {
	if err := checkNote(noteID, text); err != nil {
		return protocol.Contact{}, protocol.Note{}, err
	}
	var n protocol.Note
	var retried bool
	c, err := db.updateContact("add_note", slug, batched, func(tx *bolt.Tx, c *protocol.Contact) error {
		n, retried = protocol.Note{}, false
		if owner := tx.Bucket(bucketNotes).Get([]byte(noteID)); owner != nil {
			if string(owner) != slug {
				return protocol.Errorf(protocol.CodeConflict, "The note id %s already belongs to another contact; choose a new id.", noteID)
			}
			if i := noteIndex(c.Notes, noteID); i >= 0 {
				n, retried = c.Notes[i], true
				return nil
			}
			// The index names this contact but the note is gone: fall through
			// and store it again rather than lose the user's text.
		}
		now := db.clock()
		n = protocol.Note{ID: noteID, Text: text, Created: now, Updated: now}
		c.Notes = append(c.Notes, n)
		if err := db.putContact(tx, *c); err != nil {
			return err
		}
		if err := tx.Bucket(bucketNotes).Put([]byte(noteID), []byte(slug)); err != nil {
			return err
		}
		return appendEvent(tx, &protocol.Event{At: now, Slug: slug, Name: c.Name, Kind: protocol.EventNoteAdded,
			Summary: "Note added", NoteID: noteID, Text: text})
	})
	if err != nil {
		return protocol.Contact{}, protocol.Note{}, err
	}
	db.log.Debug().Str("note_id", noteID).Bool("retry", retried).Msg("note added")
	return c, n, nil
}

// EditNote replaces a note's text. Saving the same text again changes nothing.
func (db *DB) EditNote(slug, noteID, text string) (protocol.Contact, protocol.Note, error) {
	if err := checkNote(noteID, text); err != nil {
		return protocol.Contact{}, protocol.Note{}, err
	}
	var n protocol.Note
	c, err := db.updateContact("edit_note", slug, batched, func(tx *bolt.Tx, c *protocol.Contact) error {
		n = protocol.Note{}
		i := noteIndex(c.Notes, noteID)
		if i < 0 {
			return errNoNote(slug, noteID)
		}
		if c.Notes[i].Text == text {
			n = c.Notes[i]
			return nil
		}
		now := db.clock()
		c.Notes[i].Text, c.Notes[i].Updated = text, now
		n = c.Notes[i]
		if err := db.putContact(tx, *c); err != nil {
			return err
		}
		return appendEvent(tx, &protocol.Event{At: now, Slug: slug, Name: c.Name, Kind: protocol.EventNoteEdited,
			Summary: "Note edited", NoteID: noteID, Text: text})
	})
	if err != nil {
		return protocol.Contact{}, protocol.Note{}, err
	}
	return c, n, nil
}

// DeleteNote removes a note from the contact. The history keeps its text.
func (db *DB) DeleteNote(slug, noteID string) (protocol.Contact, error) {
	return db.updateContact("delete_note", slug, batched, func(tx *bolt.Tx, c *protocol.Contact) error {
		i := noteIndex(c.Notes, noteID)
		if i < 0 {
			return errNoNote(slug, noteID)
		}
		gone := c.Notes[i]
		c.Notes = slices.Delete(c.Notes, i, i+1)
		if err := db.putContact(tx, *c); err != nil {
			return err
		}
		if err := tx.Bucket(bucketNotes).Delete([]byte(noteID)); err != nil {
			return err
		}
		return appendEvent(tx, &protocol.Event{At: db.clock(), Slug: slug, Name: c.Name, Kind: protocol.EventNoteDeleted,
			Summary: "Note deleted", NoteID: noteID, Text: gone.Text})
	})
}

func noteIndex(notes []protocol.Note, id string) int {
	return slices.IndexFunc(notes, func(n protocol.Note) bool { return n.ID == id })
}

func errNoNote(slug, noteID string) error {
	return protocol.Errorf(protocol.CodeNotFound, "Contact %s has no note %s.", slug, noteID)
}

func checkNote(noteID, text string) error {
	if err := protocol.CheckNoteID(noteID); err != nil {
		return err
	}
	return protocol.CheckNoteText("text", text)
}
