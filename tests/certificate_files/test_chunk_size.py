"""How a combined file is cut into chunks: 25 pages for small files, larger chunks for large ones."""

from service.certificate_files.requests import chunk_size


def test_small_files_keep_chunks_of_25() -> None:
    # given / when
    sizes = [chunk_size(total) for total in (1, 25, 30, 499, 500)]
    # then
    assert sizes == [25, 25, 25, 25, 25]


def test_large_files_take_at_least_20_chunks_of_at_most_100() -> None:
    # given / when
    sizes = {total: chunk_size(total) for total in (501, 999, 1000, 2000, 2001, 10_000)}
    # then
    assert sizes == {501: 26, 999: 50, 1000: 50, 2000: 100, 2001: 100, 10_000: 100}
