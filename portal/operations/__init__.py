"""Operations: background-job heartbeats, housekeeping jobs and the health endpoint."""
