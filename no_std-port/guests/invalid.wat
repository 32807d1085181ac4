;; Well-formed but invalid: the function promises an i32 and leaves an i64. The text parser
;; does not type-check, so this becomes a binary module that wisp's validator must refuse.
(module $invalid
  (func (export "bad") (result i32)
    (i64.const 1)))
