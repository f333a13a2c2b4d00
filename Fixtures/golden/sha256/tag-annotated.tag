object da417b0945388dcaf21926ab4b958547febf50fc86c7c757c81bebd8c414d6c8
type commit
tag v1.0
tagger Cy Committer <cy@example.com> 1700000100 -0800

Release 1.0

Annotated, made by git tag -a.
