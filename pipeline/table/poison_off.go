//go:build !gwpoison

package table

// poisonRecycled: see Recycle (the gwpoison build tag).
const poisonRecycled = false
