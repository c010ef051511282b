module github.com/tactful/tactful

go 1.26.8
