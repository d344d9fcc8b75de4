package web

import (
	"errors"
	"strings"
	"testing"

	"github.com/lindungi/lindungi"
)

func TestTaskError(t *testing.T) {
	p := NewPrinter(Indonesian)
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"documents missing", &lindungi.Error{Code: lindungi.EINVALID, Message: "The step's documents are not complete: KTP missing, KK unverified.",
			Fields: []lindungi.FieldError{{Field: "documents.KTP", Reason: "missing"}, {Field: "documents.KK", Reason: "unverified"}}},
			[]string{"Dokumen belum lengkap:", "Kartu Tanda Penduduk (KTP) belum ada", "Kartu Keluarga (KK) belum diverifikasi"}},
		{"a bad field", &lindungi.Error{Code: lindungi.EINVALID, Fields: []lindungi.FieldError{{Field: "reason", Reason: "is required"}}},
			[]string{"Tindakan belum bisa dijalankan:", "alasan wajib diisi"}},
		{"claimed by another", lindungi.Errorf(lindungi.ECONFLICT, "The task is claimed by x."), []string{"sudah diambil orang lain"}},
		{"out of reach", lindungi.Errorf(lindungi.ENOTFOUND, "Task not found."), []string{"Tugas tidak ditemukan"}},
		{"internal", errors.New("database down"), []string{"Terjadi kesalahan di server"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.TaskError(tt.err)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("TaskError = %q, lacks %q", got, w)
				}
			}
			if strings.Contains(got, "database") || strings.Contains(got, "documents.") {
				t.Errorf("TaskError = %q shows an internal detail or a field's code", got)
			}
		})
	}
}
