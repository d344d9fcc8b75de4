// Package payloadcodec encrypts Temporal payloads so that personal data never
// rests in Temporal in clear.
//
// An encrypted payload has the metadata
//
//	encoding:          "binary/encrypted"
//	encryption-key-id: the ID of the key that sealed it
//
// and its data is nonce (12 bytes) || AES-256-GCM ciphertext || tag (16
// bytes). The plaintext is the proto encoding of the whole original payload,
// so its metadata comes back on decode. The key ID is the additional
// authenticated data: a payload relabelled with another key ID does not open.
//
// Keys live in files of one line, "<id>:<base64 of 32 bytes>\n"; see
// [LoadOrCreateKey].
//
// Search attributes, workflow IDs and activity names are not payloads and stay
// in clear: keep personal data out of them.
package payloadcodec

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Metadata keys and values of an encrypted payload.
const (
	EncodingEncrypted = "binary/encrypted"
	MetadataKeyID     = "encryption-key-id"
)

// Errors that Decode wraps.
var (
	// ErrUnknownKey means a payload was sealed with a key this codec does not
	// hold: a key was retired too early or a worker lacks the new one.
	ErrUnknownKey = errors.New("unknown encryption key ID")
	// ErrDecrypt means a payload failed authentication: it was altered, or it
	// was sealed by a different secret under the same key ID.
	ErrDecrypt = errors.New("payload failed authentication")
)

// Codec is a converter.PayloadCodec that encrypts every payload with
// AES-256-GCM. It is safe for concurrent use.
type Codec struct {
	encID  string
	aeads  map[string]cipher.AEAD // by key ID
	sealer cipher.AEAD            // aeads[encID]
}

var _ converter.PayloadCodec = (*Codec)(nil)

// New returns a codec for the given keys. Encode seals with the first key;
// Decode opens with whichever key the payload names, so a rotation puts the
// new key first and keeps the old ones until no history needs them.
func New(keys ...Key) (*Codec, error) {
	if len(keys) == 0 {
		return nil, errors.New("payloadcodec: no keys")
	}
	c := &Codec{encID: keys[0].ID, aeads: make(map[string]cipher.AEAD, len(keys))}
	for _, k := range keys {
		if err := k.validate(); err != nil {
			return nil, err
		}
		if _, dup := c.aeads[k.ID]; dup {
			return nil, fmt.Errorf("payloadcodec: key ID %q given twice", k.ID)
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("payloadcodec: key %q: %w", k.ID, err)
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("payloadcodec: key %q: %w", k.ID, err)
		}
		c.aeads[k.ID] = aead
	}
	c.sealer = c.aeads[c.encID]
	return c, nil
}

// Encode encrypts each payload with the first key. Nil entries stay nil.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if p == nil {
			continue
		}
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("payloadcodec: encode payload %d: %w", i, err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(EncodingEncrypted),
				MetadataKeyID:              []byte(c.encID),
			},
			Data: c.sealer.Seal(nil, nil, plain, []byte(c.encID)),
		}
	}
	return out, nil
}

// Decode decrypts each encrypted payload and passes any other payload through
// unchanged, so that histories written before encryption still replay. It
// fails, wrapping ErrUnknownKey or ErrDecrypt, when a payload cannot be opened.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		d, err := c.decode(p)
		if err != nil {
			return nil, fmt.Errorf("payloadcodec: decode payload %d: %w", i, err)
		}
		out[i] = d
	}
	return out, nil
}

func (c *Codec) decode(p *commonpb.Payload) (*commonpb.Payload, error) {
	id, ok := p.Metadata[MetadataKeyID]
	if !ok {
		return nil, fmt.Errorf("%w: payload has no %s", ErrUnknownKey, MetadataKeyID)
	}
	aead, ok := c.aeads[string(id)]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownKey, id)
	}
	plain, err := aead.Open(nil, nil, p.Data, id)
	if err != nil {
		return nil, fmt.Errorf("%w (key %q)", ErrDecrypt, id)
	}
	var orig commonpb.Payload
	if err := proto.Unmarshal(plain, &orig); err != nil {
		return nil, fmt.Errorf("decrypted payload (key %q) is not a payload: %w", id, err)
	}
	return &orig, nil
}

// DataConverter wraps the default converter with c, for
// client.Options.DataConverter (the worker takes it from its client) and for
// the test suite.
func DataConverter(c *Codec) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter encrypts the messages and stack traces of errors, for
// client.Options.FailureConverter. The default failure converter stores them
// in clear, and an error message can quote the data that caused it.
func FailureConverter(c *Codec) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          DataConverter(c),
		EncodeCommonAttributes: true,
	})
}
