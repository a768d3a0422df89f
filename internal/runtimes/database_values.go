package runtimes

import (
	"database/sql/driver"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/flowscript/flowscript/internal/value"
)

// maxExactInt is the largest integer a float64 holds exactly (2^53).
const maxExactInt = 1 << 53

// dbArg converts a FlowScript value into a placeholder argument: whole
// numbers become int64 (so INTEGER columns and keys compare as integers),
// objects become JSON text, and arrays JSON text for SQLite or a
// PostgreSQL array when every item is a scalar.
func dbArg(v any, postgres bool) any {
	switch x := v.(type) {
	case nil, bool, string:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 && !(x == 0 && math.Signbit(x)) {
			return int64(x)
		}
		if postgres {
			// pgx truncates a float64 bound to an integer parameter (2.7
			// becomes 2). As text, the server converts it for numeric and
			// float columns and refuses it for integer ones.
			return value.FormatNumber(x)
		}
		return x
	case *value.Object:
		return value.JSON(x)
	case []any:
		if !postgres {
			return value.JSON(x)
		}
		out := make([]any, len(x))
		for i, it := range x {
			switch it.(type) {
			case []any, *value.Object:
				return value.JSON(x)
			}
			out[i] = dbArg(it, true)
		}
		return out
	}
	return value.JSON(v)
}

// dbArgs converts a params list.
func dbArgs(params []any, postgres bool) []any {
	out := make([]any, len(params))
	for i, p := range params {
		out[i] = dbArg(p, postgres)
	}
	return out
}

// intValue is an integer as a number, or as decimal text beyond 2^53 where
// a number would lose digits.
func intValue(i int64) any {
	if i > maxExactInt || i < -maxExactInt {
		return strconv.FormatInt(i, 10)
	}
	return float64(i)
}

// floatValue is a float as a number; NaN and the infinities, which JSON
// cannot hold, become text.
func floatValue(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}

// sqliteValue converts a value read by the SQLite driver. decl is the
// column's declared type, upper-cased: BOOLEAN columns give booleans, JSON
// columns parsed JSON, DATE columns dates.
func sqliteValue(v any, decl string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		if decl == "BOOLEAN" || decl == "BOOL" {
			return x != 0
		}
		return intValue(x)
	case float64:
		return floatValue(x)
	case bool:
		return x
	case string:
		if decl == "JSON" || decl == "JSONB" {
			if pv, err := value.ParseJSON([]byte(x)); err == nil {
				return pv
			}
		}
		return x
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		if decl == "DATE" && x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// pgValue converts a value decoded by pgx for a column of type oid (for
// arrays, the element type's handling follows from the array oid).
func pgValue(v any, oid uint32) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool, string:
		return x
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return intValue(x)
	case uint32:
		return float64(x)
	case float32:
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
		return floatValue(f)
	case float64:
		return floatValue(x)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		return pgTime(x, oid)
	case pgtype.Numeric:
		return numericValue(x)
	case [16]byte:
		return uuidText(x)
	case netip.Prefix:
		if x.IsSingleIP() {
			return x.Addr().String()
		}
		return x.String()
	case pgtype.Time:
		if !x.Valid {
			return nil
		}
		d := time.Duration(x.Microseconds) * time.Microsecond
		return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(d).Format("15:04:05.999999")
	case []any:
		elem := pgElemOID(oid)
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = pgValue(it, elem)
		}
		return out
	case []*string:
		// json[] and jsonb[] arrive as text to keep object key order.
		out := make([]any, len(x))
		for i, it := range x {
			if it != nil {
				out[i] = parseJSONText(*it)
			}
		}
		return out
	case map[string]any:
		return value.FromGo(x)
	case driver.Valuer:
		dv, err := x.Value()
		if err != nil {
			return fmt.Sprint(v)
		}
		if _, same := dv.(driver.Valuer); same {
			return fmt.Sprint(dv)
		}
		return pgValue(dv, oid)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// pgElemOID returns the element type of the array types whose element
// formatting depends on it.
func pgElemOID(oid uint32) uint32 {
	switch oid {
	case pgtype.DateArrayOID:
		return pgtype.DateOID
	case pgtype.TimestampArrayOID:
		return pgtype.TimestampOID
	case pgtype.TimestamptzArrayOID:
		return pgtype.TimestamptzOID
	}
	return oid
}

// pgTime formats dates, timestamps and timestamptz values as ISO 8601:
// "2026-11-25", "2026-11-25T10:15:00" and "2026-11-25T10:15:00Z" (UTC).
func pgTime(t time.Time, oid uint32) string {
	switch oid {
	case pgtype.DateOID:
		return t.Format(time.DateOnly)
	case pgtype.TimestampOID:
		return t.Format("2006-01-02T15:04:05.999999999")
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// numericValue converts a PostgreSQL numeric: a number when float64 holds
// it exactly as written (its shortest form reads back the same digits),
// else the decimal text with its scale ("12345678901234567890.10").
func numericValue(n pgtype.Numeric) any {
	switch {
	case !n.Valid:
		return nil
	case n.NaN:
		return "NaN"
	case n.InfinityModifier == pgtype.Infinity:
		return "Infinity"
	case n.InfinityModifier == pgtype.NegativeInfinity:
		return "-Infinity"
	}
	text := decimalText(n.Int, n.Exp)
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		return text
	}
	if strconv.FormatFloat(f, 'f', -1, 64) == trimDecimal(text) {
		return f
	}
	return text
}

// decimalText writes i × 10^exp in plain decimal notation.
func decimalText(i *big.Int, exp int32) string {
	if i == nil {
		i = new(big.Int)
	}
	digits := new(big.Int).Abs(i).String()
	neg := i.Sign() < 0
	var s string
	switch {
	case exp >= 0:
		s = digits + strings.Repeat("0", int(exp))
	default:
		scale := int(-exp)
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		s = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// trimDecimal drops trailing fraction zeros and a bare point; "-0" is "0".
func trimDecimal(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

func uuidText(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// parseJSONText parses JSON text keeping key order; invalid text stays text.
func parseJSONText(s string) any {
	v, err := value.ParseJSON([]byte(s))
	if err != nil {
		return s
	}
	return v
}
