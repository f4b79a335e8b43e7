"""The operations the API benchmark sends (`bench/api_load.py`): the dashboard's first page and the
certificates step's 100 candidates, for the tests that check how they are answered."""

DASHBOARD = """{ recognitions(first: 50) { edges { node {
  id name status availableActions cohorts { name endsOn program { name certificateType { name } } }
} } } }"""
CANDIDATES = """query($id: ID!) { recognition(id: $id) { certificateCandidates(first: 100) {
  totalCount edges { node {
    enrollmentId name email kind completedAt cohort { name } program { name } certificateType { name }
    progress { percent modulesCompleted }
  } } } } }"""
