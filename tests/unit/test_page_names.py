"""A handbook page is named by its title on the platform's pages, never by its source path."""
from quizapp.content.page_names import page_name


def test_a_page_is_named_by_its_own_title():
    assert page_name("volumes/v1-common/guide/step-01-filing.md") == "管辖与立案"
    assert page_name("volumes/v1-common/guide/step-01-filing.md#立案") == "管辖与立案"


def test_a_page_without_a_source_is_named_by_its_volume_and_module():
    assert page_name("volumes/v2-natural-resources/laws/no-such-page.md") == "第二卷　自然资源 · 法律法规"
    assert page_name("volumes/v8-water/") == "第八卷　水务"


def test_anything_else_is_a_handbook_page_and_no_path_escapes_the_handbook():
    for path in ("", "../../etc/passwd.md", "/etc/hosts", "volumes/v9-none/x.md"):
        assert page_name(path) == "手册页面"
