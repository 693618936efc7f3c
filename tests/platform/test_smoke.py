def test_workspaces_list_is_an_empty_envelope(api):
    response = api.get("/v1/workspaces")

    assert response.status_code == 200
    assert response.json() == {
        "results": [],
        "pagination": {"page": 1, "page_size": 25, "total": 0, "total_pages": 1, "next": None, "previous": None},
    }
