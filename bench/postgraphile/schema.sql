-- What PostGraphile needs on top of the service's tables to answer the benchmark's three queries
-- with the same data as the service: who is asking (from the token's claims, which the server puts
-- in the transaction's settings), the partner's recognitions newest first, and the certificates
-- step's candidates (the service's eligibility rule: completed and certified, or approaching in an
-- open course; ordered by sort name, then id). Loaded into the benchmark's own database only.

CREATE OR REPLACE FUNCTION viewer() RETURNS portal_user AS $$
  SELECT * FROM portal_user
  WHERE id = nullif(current_setting('jwt.claims.user_id', true), '')::int
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION partner_recognitions() RETURNS SETOF recognition AS $$
  SELECT * FROM recognition
  WHERE partner_id = nullif(current_setting('jwt.claims.partner_id', true), '')::int
  ORDER BY created_at DESC, id DESC
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION certificate_candidates(recognition_id int) RETURNS SETOF enrollment AS $$
  SELECT enrollment.* FROM enrollment
  JOIN cohort ON cohort.id = enrollment.cohort_id
  JOIN course_taker ON course_taker.id = enrollment.course_taker_id
  WHERE enrollment.cohort_id IN (
      SELECT link.cohort_id FROM recognition_cohort AS link
      JOIN recognition ON recognition.id = link.recognition_id
      WHERE link.recognition_id = certificate_candidates.recognition_id
        AND recognition.partner_id = nullif(current_setting('jwt.claims.partner_id', true), '')::int
    )
    AND (
      (enrollment.completed_at IS NOT NULL AND enrollment.certified)
      OR (enrollment.completed_at IS NULL AND cohort.closed_at IS NULL)
    )
  ORDER BY course_taker.sort_name, enrollment.id
$$ LANGUAGE sql STABLE;
