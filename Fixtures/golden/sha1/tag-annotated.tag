object fcef43f15f6fcaa38e4d9e9fc9f843b42a07c1d7
type commit
tag v1.0
tagger Cy Committer <cy@example.com> 1700000100 -0800

Release 1.0

Annotated, made by git tag -a.
