package payloadcodec_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/lindungi/lindungi/payloadcodec"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// note is the kind of personal data that must not rest in Temporal in clear.
const note = "Siti Aminah, NIK 3305015508950002"

var (
	keyA = payloadcodec.Key{ID: "a", Secret: bytes.Repeat([]byte{0xA}, 32)}
	keyB = payloadcodec.Key{ID: "b", Secret: bytes.Repeat([]byte{0xB}, 32)}
)

func newCodec(t *testing.T, keys ...payloadcodec.Key) *payloadcodec.Codec {
	t.Helper()
	c, err := payloadcodec.New(keys...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func toPayload(t *testing.T, v any) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	if err != nil {
		t.Fatalf("ToPayload(%v): %v", v, err)
	}
	return p
}

// samplePayloads returns one payload of each kind the default converter makes,
// and one with extra metadata and no data.
func samplePayloads(t *testing.T) map[string]*commonpb.Payload {
	return map[string]*commonpb.Payload{
		"json string": toPayload(t, note),
		"json struct": toPayload(t, struct{ Note string }{note}),
		"nil":         toPayload(t, nil),
		"binary":      toPayload(t, []byte{0, 1, 2, 0xff}),
		"proto":       toPayload(t, &commonpb.Payload{Data: []byte(note)}),
		"custom metadata, no data": {
			Metadata: map[string][]byte{converter.MetadataEncoding: []byte("binary/custom"), "x-extra": []byte("kept")},
		},
	}
}

func encodeOne(t *testing.T, c *payloadcodec.Codec, p *commonpb.Payload) *commonpb.Payload {
	t.Helper()
	out, err := c.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if len(out) != 1 {
		t.Fatalf("Encode returned %d payloads, want 1", len(out))
	}
	return out[0]
}

func decodeOne(c *payloadcodec.Codec, p *commonpb.Payload) (*commonpb.Payload, error) {
	out, err := c.Decode([]*commonpb.Payload{p})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

func TestRoundTrip(t *testing.T) {
	c := newCodec(t, keyA)
	for name, orig := range samplePayloads(t) {
		t.Run(name, func(t *testing.T) {
			enc := encodeOne(t, c, orig)
			if got := string(enc.Metadata[converter.MetadataEncoding]); got != payloadcodec.EncodingEncrypted {
				t.Errorf("encoded encoding = %q, want %q", got, payloadcodec.EncodingEncrypted)
			}
			if got := string(enc.Metadata[payloadcodec.MetadataKeyID]); got != keyA.ID {
				t.Errorf("encoded key ID = %q, want %q", got, keyA.ID)
			}
			if len(enc.Metadata) != 2 {
				t.Errorf("encoded metadata = %q, want only encoding and key ID", enc.Metadata)
			}
			got, err := decodeOne(c, enc)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !proto.Equal(got, orig) {
				t.Errorf("Decode(Encode(p)) = %v, want %v", got, orig)
			}
		})
	}
}

func TestEncodeHidesPlaintext(t *testing.T) {
	c := newCodec(t, keyA)
	for name, orig := range samplePayloads(t) {
		t.Run(name, func(t *testing.T) {
			raw, err := proto.Marshal(encodeOne(t, c, orig))
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{note, "Siti", "3305015508950002", "x-extra", "json/plain"} {
				if bytes.Contains(raw, []byte(secret)) {
					t.Errorf("encoded payload contains %q", secret)
				}
			}
		})
	}

	// A fresh nonce per payload: equal notes must not look equal in Temporal.
	p := toPayload(t, note)
	first, second := encodeOne(t, c, p), encodeOne(t, c, p)
	if bytes.Equal(first.Data, second.Data) {
		t.Error("encoding the same payload twice gave the same ciphertext")
	}
	if bytes.Equal(first.Data[:12], second.Data[:12]) {
		t.Error("encoding the same payload twice reused the nonce")
	}
}

func TestEncodeKeepsBatchShape(t *testing.T) {
	c := newCodec(t, keyA)
	in := []*commonpb.Payload{toPayload(t, "one"), nil, toPayload(t, "three")}
	enc, err := c.Encode(in)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if len(enc) != 3 || enc[1] != nil {
		t.Fatalf("Encode(%d payloads with a nil second) = %v", len(in), enc)
	}
	if got := string(in[0].Metadata[converter.MetadataEncoding]); got != "json/plain" {
		t.Errorf("Encode changed its input: encoding now %q", got)
	}
	dec, err := c.Decode(enc)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	for i := range in {
		if !proto.Equal(dec[i], in[i]) {
			t.Errorf("payload %d: got %v, want %v", i, dec[i], in[i])
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	c := newCodec(t, keyA, keyB)
	tests := []struct {
		name   string
		tamper func(p *commonpb.Payload)
		want   error
	}{
		{"flipped nonce bit", func(p *commonpb.Payload) { p.Data[0] ^= 1 }, payloadcodec.ErrDecrypt},
		{"flipped ciphertext bit", func(p *commonpb.Payload) { p.Data[15] ^= 1 }, payloadcodec.ErrDecrypt},
		{"flipped tag bit", func(p *commonpb.Payload) { p.Data[len(p.Data)-1] ^= 1 }, payloadcodec.ErrDecrypt},
		{"truncated", func(p *commonpb.Payload) { p.Data = p.Data[:20] }, payloadcodec.ErrDecrypt},
		{"empty", func(p *commonpb.Payload) { p.Data = nil }, payloadcodec.ErrDecrypt},
		{"appended byte", func(p *commonpb.Payload) { p.Data = append(p.Data, 0) }, payloadcodec.ErrDecrypt},
		{"relabelled to another known key", func(p *commonpb.Payload) { p.Metadata[payloadcodec.MetadataKeyID] = []byte(keyB.ID) }, payloadcodec.ErrDecrypt},
		{"unknown key ID", func(p *commonpb.Payload) { p.Metadata[payloadcodec.MetadataKeyID] = []byte("retired") }, payloadcodec.ErrUnknownKey},
		{"no key ID", func(p *commonpb.Payload) { delete(p.Metadata, payloadcodec.MetadataKeyID) }, payloadcodec.ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := encodeOne(t, c, toPayload(t, note))
			tt.tamper(p)
			got, err := decodeOne(c, p)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %v, %v; want error %v", got, err, tt.want)
			}
			if strings.Contains(err.Error(), note) {
				t.Errorf("error %q quotes the plaintext", err)
			}
		})
	}
}

func TestDecodeUnknownKey(t *testing.T) {
	enc := encodeOne(t, newCodec(t, keyA), toPayload(t, note))
	_, err := decodeOne(newCodec(t, keyB), enc)
	if !errors.Is(err, payloadcodec.ErrUnknownKey) {
		t.Fatalf("Decode with only key b = %v, want ErrUnknownKey", err)
	}
	if !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("error %q does not name the missing key", err)
	}
}

func TestRotation(t *testing.T) {
	old := encodeOne(t, newCodec(t, keyA), toPayload(t, note))

	rotated := newCodec(t, keyB, keyA)
	got, err := decodeOne(rotated, old)
	if err != nil {
		t.Fatalf("codec [b a] cannot decode a payload sealed with a: %v", err)
	}
	if want := toPayload(t, note); !proto.Equal(got, want) {
		t.Errorf("Decode = %v, want %v", got, want)
	}

	fresh := encodeOne(t, rotated, toPayload(t, note))
	if got := string(fresh.Metadata[payloadcodec.MetadataKeyID]); got != keyB.ID {
		t.Errorf("codec [b a] sealed with key %q, want %q", got, keyB.ID)
	}
	if _, err := decodeOne(newCodec(t, keyB), fresh); err != nil {
		t.Errorf("key b alone cannot decode what codec [b a] sealed: %v", err)
	}
	if _, err := decodeOne(newCodec(t, keyA), fresh); !errors.Is(err, payloadcodec.ErrUnknownKey) {
		t.Errorf("key a alone decoding a b payload: got %v, want ErrUnknownKey", err)
	}
}

func TestDecodePassesThroughUnencrypted(t *testing.T) {
	c := newCodec(t, keyA)
	plain := []*commonpb.Payload{
		toPayload(t, note),
		toPayload(t, nil),
		toPayload(t, []byte("raw")),
		{Data: []byte("no metadata at all")},
		nil,
	}
	enc := encodeOne(t, c, toPayload(t, "sealed"))
	in := append(append([]*commonpb.Payload{}, plain...), enc)

	out, err := c.Decode(in)
	if err != nil {
		t.Fatalf("Decode of a history written before encryption: %v", err)
	}
	if len(out) != len(in) {
		t.Fatalf("Decode returned %d payloads, want %d", len(out), len(in))
	}
	for i, p := range plain {
		if !proto.Equal(out[i], p) {
			t.Errorf("payload %d: got %v, want it unchanged %v", i, out[i], p)
		}
	}
	if want := toPayload(t, "sealed"); !proto.Equal(out[len(out)-1], want) {
		t.Errorf("encrypted payload among plain ones: got %v, want %v", out[len(out)-1], want)
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		keys []payloadcodec.Key
	}{
		{"no keys", nil},
		{"short secret", []payloadcodec.Key{{ID: "a", Secret: make([]byte, 16)}}},
		{"long secret", []payloadcodec.Key{{ID: "a", Secret: make([]byte, 33)}}},
		{"empty ID", []payloadcodec.Key{{ID: "", Secret: keyA.Secret}}},
		{"ID with colon", []payloadcodec.Key{{ID: "a:b", Secret: keyA.Secret}}},
		{"ID too long", []payloadcodec.Key{{ID: strings.Repeat("a", 65), Secret: keyA.Secret}}},
		{"duplicate ID", []payloadcodec.Key{keyA, {ID: keyA.ID, Secret: keyB.Secret}}},
		{"bad second key", []payloadcodec.Key{keyA, {ID: "b", Secret: nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c, err := payloadcodec.New(tt.keys...); err == nil {
				t.Errorf("New(%v) = %v, want an error", tt.keys, c)
			}
		})
	}
}

func TestKeyDoesNotPrintSecret(t *testing.T) {
	k := payloadcodec.Key{ID: "a", Secret: []byte("0123456789abcdef0123456789ABCDEF")}
	for _, s := range []string{k.String(), k.LogValue().String()} {
		if strings.Contains(s, "0123456789") || !strings.Contains(s, "a") {
			t.Errorf("%q: want the ID and not the secret", s)
		}
	}
}

func TestDataConverter(t *testing.T) {
	dc := payloadcodec.DataConverter(newCodec(t, keyA))
	p, err := dc.ToPayload(note)
	if err != nil {
		t.Fatalf("ToPayload: %v", err)
	}
	if got := string(p.Metadata[converter.MetadataEncoding]); got != payloadcodec.EncodingEncrypted {
		t.Errorf("ToPayload encoding = %q, want %q", got, payloadcodec.EncodingEncrypted)
	}
	if bytes.Contains(p.Data, []byte("Siti")) {
		t.Error("ToPayload left the note in clear")
	}
	var got string
	if err := dc.FromPayload(p, &got); err != nil {
		t.Fatalf("FromPayload: %v", err)
	}
	if got != note {
		t.Errorf("FromPayload = %q, want %q", got, note)
	}

	// A history written before encryption still decodes into values.
	got = ""
	if err := dc.FromPayload(toPayload(t, note), &got); err != nil || got != note {
		t.Errorf("FromPayload(unencrypted) = %q, %v; want %q", got, err, note)
	}
}

func TestFailureConverter(t *testing.T) {
	fc := payloadcodec.FailureConverter(newCodec(t, keyA))
	f := fc.ErrorToFailure(errors.New("cannot verify " + note))

	raw, err := proto.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("Siti")) {
		t.Errorf("failure holds the note in clear: %v", f)
	}
	if got := string(f.GetEncodedAttributes().GetMetadata()[converter.MetadataEncoding]); got != payloadcodec.EncodingEncrypted {
		t.Errorf("failure attributes encoding = %q, want %q", got, payloadcodec.EncodingEncrypted)
	}
	if got := fc.FailureToError(f).Error(); !strings.Contains(got, note) {
		t.Errorf("FailureToError = %q, want the original message back", got)
	}
}
