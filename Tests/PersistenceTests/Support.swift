/// Thrown to roll a test's transaction back.
struct Rollback: Error {}
