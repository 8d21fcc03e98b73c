//go:build gwpoison

package table

// poisonRecycled: see Recycle. This build poisons recycled columns.
const poisonRecycled = true
